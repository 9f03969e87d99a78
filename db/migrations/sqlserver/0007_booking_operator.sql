-- The regulator who booked, by national identifier (IDNPS): the SAS platform shows it on the appointment.
ALTER TABLE dbo.bookings ADD operator_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NULL;
