import { Controller, Get, Headers, MessageEvent, Param, ParseUUIDPipe, Query, Sse } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { FeedPageDto, FeedStreamDto, parseLastEventId } from './feed.dto';
import { FeedLive } from './feed.live';
import { FeedFacets, FeedItem, FeedPage, FeedService } from './feed.service';

@ApiTags('feed')
@Controller('api/feed')
export class FeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly live: FeedLive,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Events released to the task force, newest first, with a plain sentence each',
    description: 'Filters combine. `head` is the newest feed number when the page was read: open the live stream with `after=<head>`.',
  })
  page(@Query() query: FeedPageDto): Promise<FeedPage> {
    const { before, limit, ...filter } = query;
    return this.feed.page(filter, before, limit ?? 100);
  }

  @Get('facets')
  @ApiOperation({ summary: 'The agencies, event types, countries and markings received so far, for the filters' })
  facets(): Promise<FeedFacets> {
    return this.feed.facets();
  }

  @Sse('stream')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'last-event-id', required: false, description: 'The id of the last event received; the stream resumes right after it' })
  @ApiOperation({
    summary: 'The live feed as server-sent events (event type `feed`, id = feed number, data = the event as in GET /api/feed)',
    description:
      'Sends the events after `after` (or after Last-Event-ID, which wins) that pass the filters, then each new one within a second of its arrival. ' +
      'Reconnect with the last id received to miss nothing and receive nothing twice.',
  })
  stream(@Query() query: FeedStreamDto, @Headers('last-event-id') lastEventId?: string): Observable<MessageEvent> | Promise<Observable<MessageEvent>> {
    const { after, ...filter } = query;
    const resume = parseLastEventId(lastEventId);
    if (resume !== undefined || after !== undefined) return this.live.stream(filter, resume ?? after!);
    return this.feed.head().then((head) => this.live.stream(filter, head));
  }

  @Get('events/:eventId')
  @ApiOperation({ summary: 'One event, with the event that caused it and those it caused, when the task force has them' })
  event(@Param('eventId', ParseUUIDPipe) eventId: string): Promise<{ item: FeedItem; cause: FeedItem | null; effects: FeedItem[] }> {
    return this.feed.event(eventId);
  }
}
