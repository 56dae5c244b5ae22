using Terminus.Core.Configuration;
using Terminus.Core.Sandbox;

namespace Terminus.Core.Slurm;

/// <summary>The sandbox a SLURM job asks of its node: the mode (<c>auto</c> or <c>on</c>) and the job's plan.</summary>
public sealed record SlurmSandbox(SandboxMode Mode, SandboxPlan Plan);
