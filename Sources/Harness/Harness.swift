// The Harness module; its parts arrive with their issues.
