import ExerciseKit

/// Your solutions. Each exercise is one file here: replace the code in its `#else` branch (the student's
/// side) and run `swift run exercises check N`. The `#if REFERENCE` branch is the teacher's solution: the
/// same files are compiled a second time, as the `ExerciseSolutions` module, with `REFERENCE` defined.
public enum Attempt: Solutions {}
