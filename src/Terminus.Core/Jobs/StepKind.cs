namespace Terminus.Core.Jobs;

/// <summary>
/// The work a phase of a job does. <see cref="Validate"/> is done by the job itself (it only reads the service and
/// data directories); the other three by bounded pools of step workers.
/// </summary>
public enum StepKind { Validate, Run, Package, Upload }
