// The Validator module; its parts arrive with their issues.
