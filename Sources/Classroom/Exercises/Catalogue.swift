import ExerciseKit

/// Every exercise, in number order. A new exercise is its file and its line here (`ExercisesTests` fails on a
/// file missing from the list). The same files build a second time, with `REFERENCE` defined, as the
/// `ExerciseSolutions` module: its folder is a link to this one.
public var catalogue: [any Exercise.Type] {
    [
        Exercise1SoftplusPullback.self,
        Exercise2Unbroadcast.self,
        Exercise3MatmulPullback.self,
        Exercise4Im2col.self,
        Exercise5SGDMomentum.self,
        Exercise6Freeze.self,
        Exercise7FeatureCache.self,
        Exercise8SaliencyMap.self,
        Exercise9FrozenBatchNorm.self,
        Exercise10DepthwisePullback.self,
        Exercise11Backward.self,
        Exercise12ConvolutionPullback.self,
        Exercise13FineTuning.self,
        Exercise14FoolingImage.self,
        Exercise15Experiment.self,
    ]
}
