// The desired-state store lives here (see Package.swift).
