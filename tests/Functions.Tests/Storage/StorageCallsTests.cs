using AbuseDesk.Functions.Storage;
using Azure.Core;

namespace AbuseDesk.Functions.Tests.Storage;

/// <summary>What a storage request is counted as, from its method and path, on Azurite and on Azure.</summary>
public sealed class StorageCallsTests
{
    [Theory]
    [InlineData("table", "GET", "http://127.0.0.1:10002/devstoreaccount1/cases(PartitionKey='c-1',RowKey='case%7Cc-1')", "cases", "read")]
    [InlineData("table", "GET", "https://acct.table.core.windows.net/cases()?$filter=Status%20eq%20'notified'", "cases", "query")]
    [InlineData("table", "POST", "http://127.0.0.1:10002/devstoreaccount1/$batch", "-", "batch")]
    [InlineData("table", "PUT", "https://acct.table.core.windows.net/timers(PartitionKey='20261123000000',RowKey='x')", "timers", "replace")]
    [InlineData("table", "PATCH", "https://acct.table.core.windows.net/cases(PartitionKey='c-1',RowKey='o%7C000003%7Cc-1')", "cases", "merge")]
    [InlineData("table", "POST", "https://acct.table.core.windows.net/opencases", "opencases", "insert")]
    [InlineData("queue", "GET", "http://127.0.0.1:10001/devstoreaccount1/email-outbox/messages?numofmessages=16", "email-outbox", "receive")]
    [InlineData("queue", "POST", "https://acct.queue.core.windows.net/email-outbox/messages", "email-outbox", "send")]
    [InlineData("queue", "DELETE", "https://acct.queue.core.windows.net/email-outbox/messages/0f1e?popreceipt=x", "email-outbox", "delete")]
    [InlineData("queue", "PUT", "https://acct.queue.core.windows.net/email-outbox/messages/0f1e?popreceipt=x&visibilitytimeout=30", "email-outbox", "update")]
    [InlineData("blob", "PUT", "http://127.0.0.1:10000/devstoreaccount1/reports/r-1/raw", "reports", "put")]
    public void A_request_is_counted_by_target_and_operation(string service, string method, string uri, string target, string operation)
    {
        var (t, o) = StorageCalls.Classify(service, RequestMethod.Parse(method), new Uri(uri));

        Assert.Equal((target, operation), (t, o));
    }
}
