// Tests for GroundTruth arrive with its issue.
