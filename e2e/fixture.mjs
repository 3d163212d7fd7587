// A small organisation created through the public API, used by the end-to-end tests only when the
// server has no demo organisation (DEMO=false, or before the demo generator existed). It uses the
// demo's log-in e-mails and password, so the tests read the same either way.
export const DEMO_PASSWORD = 'workfloor-demo';
export const LOGINS = {
  admin: 'admin@northwind.example',
  manager: 'manager@northwind.example',
  employee: 'employee@northwind.example',
};

const FIRST = ['Amara', 'Ben', 'Chloé', 'Dev', 'Elif', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kavya', 'Liam', 'Maya', 'Noah', 'Olu', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tess'];
const LAST = ['Okafor', 'Novak', 'Dubois', 'Patel', 'Yilmaz', 'Haddad', 'Lindqvist', 'Tanaka', 'Moreau', 'Becker', 'Iyer', 'Walsh', 'Cohen', 'Silva', 'Adeyemi'];

async function call(base, token, method, path, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function login(base, email, password) {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) return null;
  return (await response.json()).accessToken;
}

/** Creates the fixture organisation with the admin token given; returns nothing. */
export async function createFixture(base, adminToken) {
  const post = (path, body) => call(base, adminToken, 'POST', path, body);
  const sites = [
    { name: 'Leeds Fulfilment Centre', timezone: 'Europe/London', departments: ['Inbound', 'Picking', 'Packing'] },
    { name: 'Chicago Cross-Dock', timezone: 'America/Chicago', departments: ['Receiving', 'Shipping', 'Returns'] },
    { name: 'Pune Service Hub', timezone: 'Asia/Kolkata', departments: ['Customer Support', 'Quality'] },
  ];
  const departments = [];
  for (const site of sites) {
    const location = await post('/locations', { name: site.name, timezone: site.timezone });
    for (const name of site.departments) departments.push(await post('/departments', { name, locationId: location.id }));
  }
  const employees = [];
  for (let i = 0; i < 60; i++) {
    const d = departments[i % departments.length];
    const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`;
    const email = `${name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(' ', '.')}${i}@northwind.example`;
    employees.push(await post('/employees', { name, email, departmentId: d.id, locationId: d.locationId, externalIds: { payroll: `NW-${1000 + i}` } }));
  }
  const first = departments[0];
  const mine = employees.find((e) => e.departmentId === first.id);
  await post('/users', { email: LOGINS.manager, name: 'Morgan Reyes', password: DEMO_PASSWORD, role: 'manager', departmentIds: [first.id] });
  await post('/users', { email: LOGINS.employee, name: mine.name, password: DEMO_PASSWORD, role: 'employee', employeeId: mine.id });
}
