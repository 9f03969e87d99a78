using Sas.Api.Infrastructure.Errors;
using Sas.Api.Reference;
using Sas.Domain.Identifiers;
using Sas.Domain.Patients;

namespace Sas.Api.Bookings;

/// <summary>The checks on the patient part of a booking. Messages never echo the value: it is health data.</summary>
public static class PatientValidation
{
    public const int MaxReasonLength = 500;

    /// <summary>Validates and answers the patient as stored (phone in E.164), or null after recording errors.</summary>
    public static ValidPatient? Validate(PatientInput? p, string? reason, Geography geography, DateOnly today, ValidationErrors errors)
    {
        errors.Text("reason", reason, MaxReasonLength);
        if (!errors.Required(p, "patient")) return null;
        errors.Text("patient.lastName", p.LastName, 100);
        errors.Text("patient.firstName", p.FirstName, 100);
        if (errors.Required(p.BirthDate, "patient.birthDate") && BirthDates.Check(p.BirthDate, today, out _) is { } birthError) errors.Add("patient.birthDate", birthError);
        var phone = "";
        if (errors.Required(p.Phone, "patient.phone") && Phones.Check(p.Phone, out phone) is { } phoneError) errors.Add("patient.phone", phoneError);
        if (errors.Required(p.Commune, "patient.commune") && geography.FindCommune(p.Commune) is null) errors.Add("patient.commune", "is not a known INSEE commune code");
        if (p.Ins is not null && !Ins.IsValid(p.Ins)) errors.Add("patient.ins", "is not a valid INS: 15 characters whose last two are the key 97 − (number mod 97)");
        if (p.RegularDoctorRpps is not null && !Rpps.IsValid(p.RegularDoctorRpps)) errors.Add("patient.regularDoctorRpps", "is not a valid RPPS number");
        return errors.Any ? null : new ValidPatient(p.LastName!.Trim(), p.FirstName!.Trim(), p.BirthDate!, phone, p.Commune!, p.Ins, p.RegularDoctorRpps);
    }
}
