import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorSentence } from "../errors.js";
import { formatDateTime } from "../format.js";
import { TimeZoneField } from "../integration-form.js";
import { CreateUserMutation, DisableUserMutation, SetUserAdminMutation, TokensQuery, UsersQuery } from "../operations.js";
import { useSession } from "../session.js";
import { TokenList } from "../tokens.js";
import { Dialog, ErrorMessage, PageTitle, TextField } from "../ui.js";

/** Admins: users (create, disable, make admin) and their tokens. */
export function AdminPage() {
  const { me } = useSession();
  const [users, refresh] = useQuery({ query: UsersQuery });
  const reload = () => refresh({ requestPolicy: "network-only" });
  if (!me.isAdmin) {
    return (
      <>
        <PageTitle>Admin</PageTitle>
        <p>Only admins manage users.</p>
      </>
    );
  }
  return (
    <>
      <PageTitle>Admin</PageTitle>
      <NewUser onCreated={reload} />
      <ErrorMessage>{errorSentence(users.error)}</ErrorMessage>
      <h2>Users</h2>
      <ul class="plain-list">
        {users.data?.users.map((user) => (
          <UserRow key={user.id} user={user} zone={me.timezone} isMe={user.id === me.id} onChanged={reload} />
        ))}
      </ul>
    </>
  );
}

function NewUser({ onCreated }: { onCreated: () => void }) {
  const { me } = useSession();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [timezone, setTimezone] = useState(me.timezone);
  const [result, create] = useMutation(CreateUserMutation);
  const [created, setCreated] = useState<string | null>(null);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const answer = await create({ input: { email, name: name || null, password, timezone } });
    if (!answer.data) return;
    setCreated(`${answer.data.createUser.email} can now sign in with the password you chose, and should change it in Settings.`);
    setEmail("");
    setName("");
    setPassword("");
    onCreated();
  };
  return (
    <form class="card" onSubmit={onSubmit} aria-labelledby="new-user">
      <h2 id="new-user">Add a user</h2>
      <TextField label="E-mail" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <TextField label="Name" type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <TextField label="First password" type="password" autocomplete="new-password" required minLength={8} value={password} onInput={(e) => setPassword(e.currentTarget.value)} hint="At least 8 characters; tell it to the person." />
      <TimeZoneField value={timezone} onChange={setTimezone} hint="The person's time zone: their days start at its midnight." />
      <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
      <div role="status">{created && <p class="message success">{created}</p>}</div>
      <button type="submit" disabled={result.fetching}>
        Add the user
      </button>
    </form>
  );
}

type UserView = { id: string; email: string; name?: string | null; isAdmin: boolean; disabledAt?: string | null; createdAt: string };

function UserRow({ user, zone, isMe, onChanged }: { user: UserView; zone: string; isMe: boolean; onChanged: () => void }) {
  const [admin, setAdmin] = useMutation(SetUserAdminMutation);
  const [disabled, disable] = useMutation(DisableUserMutation);
  const [showTokens, setShowTokens] = useState(false);
  const [confirmingDisable, setConfirmingDisable] = useState(false);
  const confirmDisable = async () => {
    setConfirmingDisable(false);
    await disable({ userId: user.id });
    onChanged();
  };
  const label = user.name ? `${user.name} (${user.email})` : user.email;
  return (
    <li class="card">
      <div class="row">
        <span class="row-title">
          {label}
          {user.isAdmin && <span class="badge"> · admin</span>}
          {user.disabledAt && <span class="badge"> · disabled {formatDateTime(user.disabledAt, zone)}</span>}
        </span>
        {!isMe && !user.disabledAt && (
          <>
            <button type="button" class="secondary small" onClick={() => void setAdmin({ userId: user.id, isAdmin: !user.isAdmin }).then(onChanged)} aria-label={`${user.isAdmin ? "Take admin rights from" : "Make admin:"} ${user.email}`}>
              {user.isAdmin ? "Take admin rights" : "Make admin"}
            </button>
            <button type="button" class="danger small" onClick={() => setConfirmingDisable(true)} aria-label={`Disable ${user.email}`}>
              Disable
            </button>
          </>
        )}
        <button type="button" class="secondary small" aria-expanded={showTokens} onClick={() => setShowTokens(!showTokens)} aria-label={`API tokens of ${user.email}`}>
          API tokens
        </button>
      </div>
      <ErrorMessage>{errorSentence(admin.error) ?? errorSentence(disabled.error)}</ErrorMessage>
      {showTokens && <UserTokens userId={user.id} zone={zone} />}
      <Dialog title={`Disable ${user.email}?`} open={confirmingDisable} onClose={() => setConfirmingDisable(false)}>
        <p>Their API tokens and signed-in browsers stop working at once, and they can no longer sign in. There is no way back from this page.</p>
        <div class="actions">
          <button type="button" class="danger" onClick={() => void confirmDisable()}>
            Disable the user
          </button>
          <button type="button" class="secondary" onClick={() => setConfirmingDisable(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </li>
  );
}

function UserTokens({ userId, zone }: { userId: string; zone: string }) {
  const [tokens, refresh] = useQuery({ query: TokensQuery, variables: { userId } });
  return (
    <>
      <ErrorMessage>{errorSentence(tokens.error)}</ErrorMessage>
      <TokenList tokens={tokens.data?.apiTokens ?? []} zone={zone} userId={userId} onChanged={() => refresh({ requestPolicy: "network-only" })} />
    </>
  );
}
