using Terminus.Actors.Amqp;

namespace Terminus.Actors.Intake;

/// <summary>A delivery taken with a job slot; the slot goes with the job, or is released if there is no new job.</summary>
public sealed record AdmittedDelivery(IDelivery Delivery, JobSlot Slot);
