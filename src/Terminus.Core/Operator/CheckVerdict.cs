namespace Terminus.Core.Operator;

/// <summary>How one item of <c>terminus check</c> came out.</summary>
public enum CheckVerdict { Ok, Warn, Fail }
