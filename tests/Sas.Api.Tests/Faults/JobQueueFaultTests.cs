using System.Net;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sas.Api.Tests.Support;

namespace Sas.Api.Tests.Faults;

/// <summary>Hangfire's queue refuses every job (its storage is down): the changes already committed must still be answered as done.</summary>
public class JobQueueFaultTests(JobQueueFaultTests.Api api) : IClassFixture<JobQueueFaultTests.Api>
{
    public sealed class Api : SasApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s =>
            {
                s.RemoveAll<IBackgroundJobClient>();
                s.AddSingleton<IBackgroundJobClient, RefusingJobClient>();
            });
        }
    }

    private sealed class RefusingJobClient : IBackgroundJobClient
    {
        public string Create(Job job, IState state) => throw new BackgroundJobClientException("the job storage is unreachable", new TimeoutException());
        public bool ChangeState(string jobId, IState state, string expectedState) => throw new BackgroundJobClientException("the job storage is unreachable", new TimeoutException());
    }

    private readonly World world = new(api);

    [Fact]
    public async Task A_booking_committed_before_the_queue_refused_its_job_is_answered_201_and_its_event_waits_in_the_outbox()
    {
        var sector = await world.Sector();
        var rpps = await world.Practitioner([sector]);
        var regulator = await world.ClientFor("regulator", sector);
        var gp = await world.ClientFor("practitioner", rpps);
        var slot = await world.PublishedSlot(rpps, TimeSpan.FromHours(2), sector);

        var booked = await (await regulator.Book(BookingRequests.Body(slot), key: "queue-down-1")).Expect(HttpStatusCode.Created);
        var id = booked.GetProperty("id").GetString()!;
        // The replay answers the same booking, and the change's event is durable for the next recurring dispatch.
        Assert.Equal(id, (await (await regulator.Book(BookingRequests.Body(slot), key: "queue-down-1")).Expect(HttpStatusCode.Created)).GetProperty("id").GetString());
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM outbox WHERE booking_id = @id AND event_type = 'booking.created'", new { id }));

        await (await regulator.PostJson($"/v1/bookings/{id}/cancellation", new { by = "patient", reason = "better" })).Expect(HttpStatusCode.OK);
        Assert.Equal(1, api.Count("SELECT COUNT(*) FROM outbox WHERE booking_id = @id AND event_type = 'booking.cancelled'", new { id }));

        var other = await world.PublishedSlot(rpps, TimeSpan.FromHours(3), sector);
        var second = (await (await regulator.Book(BookingRequests.Body(other))).Expect(HttpStatusCode.Created)).GetProperty("id").GetString();
        api.Clock.Advance(TimeSpan.FromHours(4));
        await (await gp.PutJson($"/v1/bookings/{second}/outcome", new { outcome = "honoured" })).Expect(HttpStatusCode.OK);
    }
}
