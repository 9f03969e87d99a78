// Every [Fact] and [Theory] of the shared sources becomes one that is skipped, saying why, when no server of the engine is
// found (a using alias wins over the Xunit namespace's types of the same name).
global using FactAttribute = Sas.Api.Tests.Support.EngineFactAttribute;
global using TheoryAttribute = Sas.Api.Tests.Support.EngineTheoryAttribute;
