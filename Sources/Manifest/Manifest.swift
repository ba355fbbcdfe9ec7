// The Manifest module; its parts arrive with their issues.
