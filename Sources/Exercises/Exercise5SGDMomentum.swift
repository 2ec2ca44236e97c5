extension Attempt {
    /// Exercise 5. One step of SGD with momentum as PyTorch does it (no dampening, no Nesterov): update
    /// `velocity` (all zeros before the first step) and return the new parameter values.
    public static func sgdMomentumStep(
        parameter: [Float], gradient: [Float], velocity: inout [Float], learningRate: Float, momentum: Float
    ) -> [Float] {
        #if REFERENCE
            for i in velocity.indices { velocity[i] = momentum * velocity[i] + gradient[i] }
            return zip(parameter, velocity).map { $0 - learningRate * $1 }
        #else
            // Your code here. This is plain SGD: it ignores momentum.
            return zip(parameter, gradient).map { $0 - learningRate * $1 }
        #endif
    }
}
