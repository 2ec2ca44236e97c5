import Foundation
import PackagePlugin

/// Lists the exercises for the `Exercises` module (one per `ExerciseN...swift` file), and for the
/// `ExerciseSolutions` module copies the same files in beside the list, compiled there with `REFERENCE`.
/// Adding an exercise is adding its file.
@main
struct ExerciseCatalogue: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let exercises = context.package.targets.first(where: { $0.name == "Exercises" }) as? SourceModuleTarget
        else { throw PluginError("the package has no Exercises target to list") }
        let files = exercises.sourceFiles(withSuffix: "swift").map(\.url)
            .filter { $0.lastPathComponent.hasPrefix("Exercise") }
        let copies =
            target.name == "Exercises"
            ? [] : files.map { context.pluginWorkDirectoryURL.appending(path: $0.lastPathComponent) }
        let catalogue = context.pluginWorkDirectoryURL.appending(path: "Catalogue.swift")
        return [
            .buildCommand(
                displayName: "Listing the exercises for \(target.name)",
                executable: try context.tool(named: "ExerciseCatalogueWriter").url,
                arguments: [catalogue.path(), copies.isEmpty ? "--list" : "--copy"] + files.map { $0.path() },
                inputFiles: files, outputFiles: [catalogue] + copies)
        ]
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
