\echo Use "CREATE EXTENSION hcguard" to load this file. \quit
