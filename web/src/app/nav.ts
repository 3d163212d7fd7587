import { Activity, Building2, ClipboardList, Grid3x3, History, KeyRound, LayoutDashboard, MapPin, ShieldCheck, UserRound, Users, CalendarClock, CalendarDays, Inbox, type LucideIcon } from 'lucide-react';
import type { SessionUser } from '@contract/auth.ts';

export interface NavItem {
  to: '/overview' | '/schedule' | '/approvals' | '/my-schedule' | '/coverage' | '/live' | '/timesheets' | '/people' | '/locations' | '/departments' | '/users' | '/api-keys' | '/audit' | '/me';
  label: string;
  icon: LucideIcon;
  group: 'Workspace' | 'Organisation' | 'Administration';
  keywords?: string;
  visible: (user: SessionUser) => boolean;
}

const staff = (u: SessionUser) => u.role === 'admin' || u.role === 'manager';
const admin = (u: SessionUser) => u.role === 'admin';

/** Only pages that work are listed; later capabilities add theirs here. */
export const NAV: NavItem[] = [
  { to: '/overview', label: 'Overview', icon: LayoutDashboard, group: 'Workspace', keywords: 'home dashboard headcount', visible: staff },
  { to: '/coverage', label: 'Coverage', icon: Grid3x3, group: 'Workspace', keywords: 'staffing demand heatmap understaffed alerts overtime', visible: staff },
  { to: '/live', label: 'Live floor', icon: Activity, group: 'Workspace', keywords: 'clock punches on shift late absent break kiosk', visible: staff },
  { to: '/timesheets', label: 'Timesheets', icon: ClipboardList, group: 'Workspace', keywords: 'hours worked overtime payroll export approve lock', visible: staff },
  { to: '/schedule', label: 'Schedule', icon: CalendarDays, group: 'Workspace', keywords: 'shifts rota roster contracts grid week month', visible: staff },
  { to: '/approvals', label: 'Approvals', icon: Inbox, group: 'Workspace', keywords: 'requests time off swaps inbox approve reject', visible: staff },
  { to: '/my-schedule', label: 'My schedule', icon: CalendarClock, group: 'Workspace', keywords: 'my shifts time off swap calendar feed ical', visible: (u) => u.employeeId !== null },
  { to: '/me', label: 'My profile', icon: UserRound, group: 'Workspace', keywords: 'me profile account', visible: (u) => u.role === 'employee' || u.employeeId !== null },
  { to: '/audit', label: 'Audit log', icon: History, group: 'Workspace', keywords: 'events history activity', visible: staff },
  { to: '/people', label: 'People', icon: Users, group: 'Organisation', keywords: 'employees directory staff', visible: staff },
  { to: '/locations', label: 'Locations', icon: MapPin, group: 'Organisation', keywords: 'sites time zones', visible: staff },
  { to: '/departments', label: 'Departments', icon: Building2, group: 'Organisation', keywords: 'teams', visible: staff },
  { to: '/users', label: 'Users & roles', icon: ShieldCheck, group: 'Administration', keywords: 'accounts log-ins permissions', visible: admin },
  { to: '/api-keys', label: 'API keys', icon: KeyRound, group: 'Administration', keywords: 'integrations agents tokens', visible: admin },
];

export const navFor = (user: SessionUser) => NAV.filter((n) => n.visible(user));
