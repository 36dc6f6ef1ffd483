import { notFound } from '../errors.ts';
import { route } from '../route.ts';
import { adminView, meView, teamView } from '../views.ts';

export const adminRoutes = [
  route('GET', '/me', (req) => {
    const admin = req.ops.ws.admins.get(req.ops.tokenAdminId());
    if (admin === undefined) throw notFound('Admin Not Found', 'admin_not_found');
    return meView(req.ops.ws, admin);
  }),
  route('GET', '/admins', (req) => ({
    type: 'admin.list',
    admins: [...req.ops.ws.admins.values()].map(adminView),
  })),
  route('GET', '/admins/:admin_id', (req) => {
    const admin = req.ops.ws.admins.get(req.params['admin_id'] ?? '');
    if (admin === undefined) throw notFound('Admin not found', 'admin_not_found');
    return adminView(admin);
  }),
  route('GET', '/teams', (req) => ({
    type: 'team.list',
    teams: [...req.ops.ws.teams.values()].map(teamView),
  })),
  route('GET', '/teams/:team_id', (req) => {
    const team = req.ops.ws.teams.get(req.params['team_id'] ?? '');
    if (team === undefined) throw notFound('Team not found', 'team_not_found');
    return teamView(team);
  }),
];
