import TutorialFormat

/// Prints a numbered section of a tutorial: a title, then plain words about what happens next.
public func explain(_ title: String, _ text: String) {
    print("\n\(TutorialOutput.heading(title))\n\(text)\n")
}
