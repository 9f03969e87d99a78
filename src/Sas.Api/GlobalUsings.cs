global using Sas.Domain;
