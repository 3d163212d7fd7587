import type { Channel } from '../../contract/events.ts';
import type { StoredEvent } from '../events/event-log.ts';
import { hasScope, inScope, isOrgWide, type Principal } from '../lib/principal.ts';

const ORG_ENTITIES = new Set(['location', 'department', 'employee', 'user', 'api_key']);
/** What happens on a location's floor. */
const FLOOR_ENTITIES = new Set(['clock_event', 'timesheet_lock', 'coverage']);
/** Location-wide schedule inputs: pushed to the location's floor, where coverage is watched. */
const SCHEDULE_TYPES = new Set(['holiday.created', 'holiday.deleted', 'demand.updated', 'labour_rules.updated']);

/**
 * The channels an event is pushed on. Features add their entities here as they arrive; the log is
 * the only source, so nothing else in the code base broadcasts.
 */
export function channelsOf(event: StoredEvent): Channel[] {
  const channels: Channel[] = [];
  if (ORG_ENTITIES.has(event.entity.type) && !SCHEDULE_TYPES.has(event.type)) channels.push('org');
  const { departmentId, locationId } = event.scope;
  if (event.entity.type === 'adjustment') channels.push('approvals');
  if ((event.entity.type === 'adjustment' || event.entity.type === 'contract') && departmentId) channels.push(`schedule:${departmentId}` as Channel);
  if ((SCHEDULE_TYPES.has(event.type) || FLOOR_ENTITIES.has(event.entity.type)) && locationId) channels.push(`floor:${locationId}` as Channel);
  if (event.scope.userId || event.scope.employeeId) channels.push('me');
  return channels;
}

/** Whether a principal may subscribe to a channel at all. */
export function canSubscribe(principal: Principal, channel: Channel): boolean {
  const [kind, id] = channel.split(':') as [string, string | undefined];
  if (principal.kind === 'api_key') {
    switch (kind) {
      case 'org': return hasScope(principal, 'org', 'read');
      case 'floor': return hasScope(principal, 'clock', 'read');
      case 'schedule':
      case 'approvals': return hasScope(principal, 'schedule', 'read');
      case 'board':
      case 'agents': return hasScope(principal, 'board', 'read');
      case 'datasets': return hasScope(principal, 'datasets', 'read');
      default: return false; // `me` is for people
    }
  }
  switch (kind) {
    case 'me':
    case 'org':
    case 'datasets': return true;
    // A department manager watches their department on the location's floor (events filtered in canSee).
    case 'floor': return inScope(principal, { locationId: id }) || (principal.role === 'manager' && principal.scope.locationIds.has(id!));
    case 'schedule': return inScope(principal, { departmentId: id });
    case 'approvals':
    case 'board':
    case 'agents': return principal.role !== 'employee';
    default: return false;
  }
}

/** Whether this particular event on this channel is for this principal (scope is checked per event). */
export function canSee(principal: Principal, channel: Channel, event: StoredEvent): boolean {
  const own =
    principal.kind === 'user' &&
    ((event.scope.userId !== null && event.scope.userId === principal.userId) ||
      (event.scope.employeeId !== null && event.scope.employeeId === principal.employeeId) ||
      // The other person in a swap follows it too.
      (principal.employeeId !== null && event.payload.counterpartEmployeeId === principal.employeeId));
  if (channel === 'me') return own;
  if (channel === 'org') {
    if (event.entity.type === 'api_key' || event.entity.type === 'user') return isOrgWide(principal) || own;
    return own || inScope(principal, event.scope);
  }
  if (channel === 'approvals') return own || inScope(principal, event.scope);
  // Floor events of another department are not a department manager's; location-wide ones (coverage) are.
  if (channel.startsWith('floor:') && event.scope.departmentId) return own || inScope(principal, event.scope);
  return true;
}

/** Whether every event of the channel is for this principal, so it can share the channel's broadcast. */
export function seesWholeChannel(principal: Principal, channel: Channel): boolean {
  if (isOrgWide(principal)) return true;
  const [kind, id] = channel.split(':') as [string, string | undefined];
  if (kind === 'floor') return principal.kind === 'user' && principal.locationIds.includes(id!);
  return true;
}

/**
 * Channels whose every event is for every subscriber (authorised once, at subscribe): they are pushed
 * as one Socket.IO room broadcast, encoded once however many sockets listen.
 */
export function isBroadcastChannel(channel: Channel): boolean {
  return /^(floor|schedule|board):|^(agents|datasets)$/.test(channel);
}
