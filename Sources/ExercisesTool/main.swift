import ArgumentParser
import ExerciseKit
import ExerciseSolutions
import Exercises

/// `swift run exercises list` and `swift run exercises check N`: the classroom's grader.
@main
struct ExercisesTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercises",
        abstract: "Exercises on Tapegrad's internals, graded by gradcheck or against PyTorch's behaviour.",
        subcommands: [List.self, Check.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What each exercise is and which file to edit.")

        func run() {
            for exercise in Exercises.catalogue {
                print("\(exercise.number). \(exercise.title)  (Sources/Exercises/\(exercise.file))")
                print("   \(exercise.teaches)")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grade exercise N (or all of them).")
        @Argument(help: "The exercise's number; all when left out.") var number: Int?
        @Flag(help: "Grade the reference solutions instead (for teachers).") var reference = false

        func validate() throws {
            let count = Exercises.catalogue.count
            if let number, !(1...count).contains(number) {
                throw ValidationError("there are exercises 1 to \(count); `exercises list` shows them")
            }
        }

        func run() throws {
            let all = reference ? ExerciseSolutions.catalogue : Exercises.catalogue
            var failed = 0
            for exercise in all where number == nil || exercise.number == number {
                let verdict = exercise.check()
                print("Exercise \(exercise.number), \(exercise.title): \(verdict)\n")
                if !verdict.passed { failed += 1 }
            }
            if failed > 0 { throw ExitCode.failure }
        }
    }
}
