namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// The rows of one data attachment (a CSV or IntelMQ JSON), each as the reporter's own field names and values
/// in order, and what was noticed reading it.
/// </summary>
/// <param name="Name">The attachment's file name as declared (attacker-chosen: shown flattened, never used as a path).</param>
internal sealed record DataTable(string Name, IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Rows, IReadOnlyList<string> Notes);
