-- The regulator who booked, by national identifier (IDNPS): the SAS platform shows it on the appointment.
ALTER TABLE bookings ADD COLUMN operator_id VARCHAR(64) NULL;
