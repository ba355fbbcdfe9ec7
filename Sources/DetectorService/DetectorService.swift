// The DetectorService module; its parts arrive with their issues.
