// The GroundTruth module; its parts arrive with their issues.
