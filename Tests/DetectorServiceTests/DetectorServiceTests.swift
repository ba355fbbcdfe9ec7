// Tests for DetectorService arrive with its issue.
