using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Streams;
using Terminus.Actors.Amqp;
using Terminus.Actors.Intake;
using Terminus.Actors.Jobs;
using Terminus.Actors.Ledger;
using Terminus.Actors.Monitor;
using Terminus.Actors.Reporting;
using Terminus.Actors.Steps;
using Terminus.Core.Celery;
using Terminus.Core.Configuration;
using Terminus.Core.Jobs;
using Terminus.Core.Services;

namespace Terminus.Actors.Hosting;

/// <summary>The daemon's long-lived actors.</summary>
public sealed record TerminusActors(IActorRef Reporter, IActorRef Supervisor);
