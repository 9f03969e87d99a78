namespace Sas.Domain.Bookings;

public enum BookingStatus { Booked, Cancelled }

public enum Outcome { Honoured, NoShow }

/// <summary>Where the request came from; only <c>sas</c> counts for the ACI indicator and the majoration.</summary>
public enum Origin { Sas, CptsLine, Pharmacy, EmergencyDepartment, Other }

/// <summary>Whether the patient has a médecin traitant, has none, or theirs was unavailable.</summary>
public enum RegularDoctor { Has, None, Unavailable }

public enum CancelledBy { Patient, Practitioner, Regulator }
