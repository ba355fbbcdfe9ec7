// The Report module; its parts arrive with their issues.
