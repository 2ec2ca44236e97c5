import ArgumentParser
import ExerciseKit
import ExerciseSolutions
import Exercises
import Foundation

/// `swift run exercises list`, `swift run exercises check N`: the classroom's grader; `exercises export --student
/// DIR`: the exercise files without their answers, to hand out.
@main
struct ExercisesTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercises",
        abstract: "Exercises on Tapegrad's internals, graded by gradcheck or against PyTorch's behaviour.",
        subcommands: [List.self, Check.self, Export.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What each exercise is and which file to edit.")

        func run() {
            for exercise in Exercises.catalogue {
                print("\(exercise.number). \(exercise.title)  (Sources/Classroom/Exercises/\(exercise.file))")
                print("   \(exercise.teaches)")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the exercise files without their reference solutions, for students.",
            discussion: """
                Each Sources/Classroom/Exercises/ExerciseN*.swift is written to DIR with its #if REFERENCE branch taken out \
                and its starting code left in place. In the copy of the project students receive, replace \
                Sources/Classroom/Exercises with DIR's files: the checks and hints stay, the answers are gone, and \
                `exercises check` fails each exercise until it is solved.
                """)
        @Option(help: "The folder to write the students' files to.") var student: String
        @Option(help: "Where the exercise files are.") var sources = "Sources/Classroom/Exercises"

        func run() throws {
            let manager = FileManager.default
            let files = try manager.contentsOfDirectory(atPath: sources).filter {
                $0.hasPrefix("Exercise") && $0.hasSuffix(".swift")
            }.sorted()
            guard !files.isEmpty else { throw ValidationError("no Exercise*.swift files in \(sources)") }
            try manager.createDirectory(atPath: student, withIntermediateDirectories: true)
            for file in files {
                let source = try String(contentsOfFile: "\(sources)/\(file)", encoding: .utf8)
                try StudentCopy.make(from: source, file: file).write(
                    toFile: "\(student)/\(file)", atomically: true, encoding: .utf8)
            }
            print("Wrote \(files.count) exercise files without their answers to \(student)")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grade exercise N (or all of them).")
        @Argument(help: "The exercise's number; all when left out.") var number: Int?
        @Flag(help: "Grade the reference solutions instead (for teachers).") var reference = false
        @Option(help: "How many hints to show for a failing exercise: the first nudges, the last is the formula.")
        var hints = 1

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
                print(
                    "Exercise \(exercise.number), \(exercise.title): \(verdict.shown(hints: hints, nudges: exercise.nudges))\n"
                )
                if !verdict.passed { failed += 1 }
            }
            if failed > 0 { throw ExitCode.failure }
        }
    }
}
