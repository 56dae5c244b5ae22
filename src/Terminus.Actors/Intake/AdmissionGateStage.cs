using Akka.Streams;
using Akka.Streams.Stage;
using Terminus.Actors.Amqp;

namespace Terminus.Actors.Intake;

/// <summary>
/// Pulls a delivery from the broker only while the <see cref="AdmissionGate"/> grants a slot, so the consumer has
/// no demand (and stops consuming) while every slot is busy or the host is unhealthy.
/// </summary>
public sealed class AdmissionGateStage(AdmissionGate gate) : GraphStage<FlowShape<IDelivery, AdmittedDelivery>>
{
    public Inlet<IDelivery> In { get; } = new("admission-gate.in");
    public Outlet<AdmittedDelivery> Out { get; } = new("admission-gate.out");
    public override FlowShape<IDelivery, AdmittedDelivery> Shape => new(In, Out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, gate);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly AdmissionGateStage _stage;
        private readonly AdmissionGate _gate;
        private Action _onChanged = null!;
        private JobSlot? _held;

        public Logic(AdmissionGateStage stage, AdmissionGate gate) : base(stage.Shape)
        {
            _stage = stage;
            _gate = gate;
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            var callback = GetAsyncCallback(TryPull);
            _onChanged = () => callback();
            _gate.Changed += _onChanged;
        }

        public override void OnPull() => TryPull();

        private void TryPull()
        {
            if (!IsAvailable(_stage.Out) || HasBeenPulled(_stage.In) || IsClosed(_stage.In)) return;
            if (_held is null && !_gate.TryAdmit(out _held)) return; // Changed calls back when a slot frees
            Pull(_stage.In);
        }

        public override void OnPush()
        {
            var slot = _held!;
            _held = null;
            Push(_stage.Out, new AdmittedDelivery(Grab(_stage.In), slot));
        }

        public override void PostStop()
        {
            _gate.Changed -= _onChanged;
            _held?.Release();
        }
    }
}
