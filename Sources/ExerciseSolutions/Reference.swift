// The reference solutions: the files of Sources/Exercises compiled a second time, with REFERENCE defined.
// The ExerciseCatalogue build plugin copies them into this module's build, so that they are written once.
