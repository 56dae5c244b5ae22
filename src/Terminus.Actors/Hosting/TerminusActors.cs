using Akka.Actor;

namespace Terminus.Actors.Hosting;

/// <summary>The daemon's long-lived actors.</summary>
public sealed record TerminusActors(IActorRef Reporter, IActorRef Supervisor);
