import Zoo

extension Attempt {
    /// Exercise 6. Prepare a pretrained VGG for transfer learning: its convolutional `features` must not
    /// change during training (weights and batch-norm statistics alike); its `classifier` must train.
    public static func freezeForTransfer(_ model: VGG) {
        #if REFERENCE
            model.freeze { $0.hasPrefix("features.") }
        #else
            // Your code here.
            _ = model
        #endif
    }
}
