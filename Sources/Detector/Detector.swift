// The Detector module; its parts arrive with their issues.
