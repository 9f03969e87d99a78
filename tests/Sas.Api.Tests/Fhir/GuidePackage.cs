// Firely marks every element nullable; the validator's answers are read as they come.
#nullable disable warnings
using System.Formats.Tar;
using System.IO.Compression;
using Firely.Fhir.Validation;
using Hl7.Fhir.ElementModel;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;
using Sas.Api.Tests.Support;
using Task = System.Threading.Tasks.Task;

namespace Sas.Api.Tests.Fhir;

/// <summary>
/// The ANS SAS guide's package (<c>tests/data/fhir</c>, the one the national test kit validates with) loaded
/// into the Firely validator. Built once per test run: loading the core definitions takes seconds.
/// </summary>
public sealed class GuidePackage
{
    private static readonly Lazy<GuidePackage> Shared = new(() => new GuidePackage());
    public static GuidePackage Instance => Shared.Value;

    private readonly Validator validator;

    /// <summary>The guide's examples, by file name: the calibration every check here is held to.</summary>
    public IReadOnlyList<(string Name, Resource Resource)> Examples { get; }

    /// <summary>The canonical URLs of the guide's StructureDefinitions.</summary>
    public IReadOnlySet<string> Profiles { get; }

    private GuidePackage()
    {
        // Recoverable: the package's examples carry a few elements the R4 model reads with warnings only.
        var parser = new FhirJsonDeserializer(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));
        var conformance = new List<Resource>();
        var examples = new List<(string, Resource)>();
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(Repository.Root, "tests", "data", "fhir", "ans.fhir.fr.sas-1.1.0.tgz")), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
            while (tar.GetNextEntry() is { } e)
            {
                if (e.DataStream is null || !e.Name.StartsWith("package/", StringComparison.Ordinal) || !e.Name.EndsWith(".json", StringComparison.Ordinal)
                    || e.Name.EndsWith("package.json", StringComparison.Ordinal) || e.Name.Contains("/openapi/") || e.Name.Contains(".index.")) continue;
                var resource = parser.DeserializeResource(new StreamReader(e.DataStream).ReadToEnd());
                if (e.Name.StartsWith("package/example/", StringComparison.Ordinal)) examples.Add((Path.GetFileName(e.Name), resource));
                else if (e.Name.IndexOf('/', "package/".Length) < 0) conformance.Add(resource);
            }
        Examples = examples;
        Profiles = conformance.OfType<StructureDefinition>().Select(s => s.Url).ToHashSet();
        var core = ZipSource.CreateValidationSource();
        // No snapshot generator around the resolver: the package ships its snapshots, and regenerating them
        // loses the FR Core content that FR Core's stand-ins below cannot give back.
        var resolver = new CachedResolver(new MultiResolver(new InMemoryResourceResolver(conformance), new FrCoreStandIn(core), core));
        validator = new Validator(resolver, new LocalTerminologyService(resolver));
    }

    /// <summary>
    /// The errors of <paramref name="resource"/> against <paramref name="profile"/>, less the validator's one
    /// known artefact (<c>../shared/fhir/README.md</c>): <c>ref-1</c> reported on references that carry only
    /// an identifier, as the guide itself writes them (the guide's examples fail the same way).
    /// </summary>
    public IReadOnlyList<string> Errors(Resource resource, string profile) => Errors(resource, profile, keepArtefact: false);

    /// <summary>The same, with the <c>ref-1</c> artefact kept when asked (to show where it comes from).</summary>
    public IReadOnlyList<string> Errors(Resource resource, string profile, bool keepArtefact)
    {
        var outcome = validator.Validate(resource, profile);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Where(i => keepArtefact || !IsIdentifierOnlyReferenceArtefact(resource, i))
            .Select(i => $"{i.Details?.Text ?? i.Diagnostics} @ {string.Join(",", i.Expression ?? [])}")
            .ToList();
    }

    /// <summary>Validates against the resource's own single <c>meta.profile</c>, which must be one of the guide's.</summary>
    public IReadOnlyList<string> Errors(Resource resource)
    {
        var profile = Assert.Single(resource.Meta?.Profile ?? []);
        Assert.Contains(profile, Profiles);
        return Errors(resource, profile);
    }

    private static bool IsIdentifierOnlyReferenceArtefact(Resource resource, OperationOutcome.IssueComponent issue)
    {
        var expression = issue.Expression.ToList();
        if (issue.Details?.Text?.Contains("ref-1", StringComparison.Ordinal) != true || expression.Count != 1) return false;
        try
        {
            var found = resource.Select(expression[0]!).ToList();
            return found.Count == 1 && found[0] is ResourceReference { Reference: null, Identifier: not null };
        }
        catch (Exception) { return false; }
    }

    /// <summary>
    /// FR Core 1.1.0, which the guide's profiles derive from, is not served here. The SAS snapshots carry
    /// everything they constrain, so the base FR Core definitions can be stood in by core R4 ones under the
    /// FR Core URLs (an FR Core extension by the core Extension with its URL fixed).
    /// </summary>
    // The resolver interface the validator takes still has the null-returning methods; the Try variants add nothing here.
#pragma warning disable CS0618
    private sealed class FrCoreStandIn(IAsyncResourceResolver core) : IAsyncResourceResolver
    {
        private const string Prefix = "http://interopsante.org/fhir/StructureDefinition/Fr";

        public async Task<Resource> ResolveByCanonicalUriAsync(string uri)
        {
            if (!uri.StartsWith(Prefix, StringComparison.Ordinal)) return null;
            var name = uri[Prefix.Length..];
            var type = name == "PractitionerRoleExercice" ? "PractitionerRole" : name;
            var sd = await core.ResolveByCanonicalUriAsync("http://hl7.org/fhir/StructureDefinition/" + type) as StructureDefinition
                ?? await core.ResolveByCanonicalUriAsync("http://hl7.org/fhir/StructureDefinition/Extension") as StructureDefinition;
            if (sd is null) return null;
            var copy = (StructureDefinition)sd.DeepCopy();
            copy.Url = uri;
            if (copy.Type == "Extension")
                foreach (var e in copy.Snapshot.Element.Where(e => e.Path == "Extension.url")) e.Fixed = new FhirUri(uri);
            return copy;
        }

        public Task<Resource> ResolveByUriAsync(string uri) => Task.FromResult<Resource>(null);
    }
#pragma warning restore CS0618
}
