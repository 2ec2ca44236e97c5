// Intentionally empty: SwiftPM needs one source file for a C target; CBLAS.h holds the declarations.
