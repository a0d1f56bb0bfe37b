"""The date the report tests judge deadlines on (a fixed day, so figures do not move with today)."""

AS_OF = "2027-02-01"
