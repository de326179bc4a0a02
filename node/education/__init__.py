"""Political education: programmes with sessions, enrolment, materials and completion."""
