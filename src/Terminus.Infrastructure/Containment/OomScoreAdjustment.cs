namespace Terminus.Infrastructure.Containment;

/// <summary>What became of the daemon's <c>oom_score_adj</c>: before, after, whether it is now at most the target, and a line for the log.</summary>
public sealed record OomScoreAdjustment(int Before, int After, bool Protected, string Description);
