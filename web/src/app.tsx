import { Provider, useMutation, useQuery } from "@urql/preact";
import { useMemo, useState } from "preact/hooks";
import { createApiClient } from "./client.js";
import { errorCode, errorSentence } from "./errors.js";
import { MeQuery, SignOutMutation } from "./operations.js";
import { AdminPage } from "./pages/admin.js";
import { CalendarsPage } from "./pages/calendars.js";
import { ConnectPage } from "./pages/connect.js";
import { IntegrationPage } from "./pages/integration.js";
import { ProjectsPage } from "./pages/projects.js";
import { SettingsPage } from "./pages/settings.js";
import { SignInPage } from "./pages/sign-in.js";
import { TimesheetPage } from "./pages/timesheet.js";
import { Link, navigate, useLocation } from "./router.js";
import { SessionContext, type Me } from "./session.js";
import { ErrorMessage } from "./ui.js";

export function App() {
  // A new client per signed-in person: nothing cached for one is shown to the next.
  const [generation, setGeneration] = useState(0);
  const client = useMemo(() => createApiClient(toSignIn), [generation]);
  return (
    <Provider value={client}>
      <Shell key={generation} restart={() => setGeneration((n) => n + 1)} />
    </Provider>
  );
}

/** To sign-in, and back to this page afterwards. */
function toSignIn() {
  if (location.pathname === "/sign-in") return;
  navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
}

function Shell({ restart }: { restart: () => void }) {
  const location = useLocation();
  const [me, refreshMe] = useQuery({ query: MeQuery });
  if (location.pathname === "/sign-in") return <SignInPage onSignedIn={restart} />;
  if (me.fetching && !me.data) {
    return (
      <main class="loading" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (!me.data) {
    // The client has already gone to sign-in.
    if (errorCode(me.error) === "UNAUTHENTICATED") return null;
    return (
      <main>
        <ErrorMessage>{errorSentence(me.error)}</ErrorMessage>
      </main>
    );
  }
  return (
    <SessionContext.Provider value={{ me: me.data.me, refresh: () => refreshMe({ requestPolicy: "network-only" }) }}>
      <Layout me={me.data.me} restart={restart} path={location.pathname}>
        <Page path={location.pathname} />
      </Layout>
    </SessionContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  const integration = /^\/calendars\/([0-9a-f-]{36})$/.exec(path);
  if (integration?.[1]) return <IntegrationPage id={integration[1]} />;
  switch (path) {
    case "/":
    case "/timesheet":
      return <TimesheetPage />;
    case "/calendars":
      return <CalendarsPage />;
    case "/calendars/new":
      return <ConnectPage />;
    case "/projects":
      return <ProjectsPage />;
    case "/settings":
      return <SettingsPage />;
    case "/admin":
      return <AdminPage />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            There is nothing at this address. Go to your <Link href="/timesheet">timesheet</Link>.
          </p>
        </>
      );
  }
}

const NAVIGATION = [
  { href: "/timesheet", label: "Timesheet" },
  { href: "/calendars", label: "Calendars" },
  { href: "/projects", label: "Projects" },
  { href: "/settings", label: "Settings" },
];

function Layout({ me, restart, path, children }: { me: Me; restart: () => void; path: string; children: preact.ComponentChildren }) {
  const [signOut, runSignOut] = useMutation(SignOutMutation);
  const items = me.isAdmin ? [...NAVIGATION, { href: "/admin", label: "Admin" }] : NAVIGATION;
  const current = path === "/" ? "/timesheet" : path;
  const onSignOut = async () => {
    const result = await runSignOut({});
    if (result.error) return;
    navigate("/sign-in", { replace: true });
    restart();
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">CalDAV Timesheet</span>
        <nav aria-label="Main">
          <ul>
            {items.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={current === item.href || current.startsWith(`${item.href}/`) ? "page" : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="who">{me.name ?? me.email}</span>
          <button type="button" class="secondary" onClick={onSignOut} disabled={signOut.fetching}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <ErrorMessage>{errorSentence(signOut.error)}</ErrorMessage>
        {children}
      </main>
    </>
  );
}
