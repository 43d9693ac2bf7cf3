import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorSentence } from "../errors.js";
import { CreateProjectMutation, ProjectsQuery, UpdateProjectMutation } from "../operations.js";
import { ErrorMessage, PageTitle, TextField } from "../ui.js";

/** List, create, rename, archive. */
export function ProjectsPage() {
  const [projects, refresh] = useQuery({ query: ProjectsQuery, variables: { includeArchived: true } });
  const [name, setName] = useState("");
  const [created, create] = useMutation(CreateProjectMutation);
  const reload = () => refresh({ requestPolicy: "network-only" });
  const onCreate = async (event: Event) => {
    event.preventDefault();
    const answer = await create({ name: name.trim() });
    if (answer.error) return;
    setName("");
    reload();
  };
  const list = projects.data?.projects ?? [];
  return (
    <>
      <PageTitle>Projects</PageTitle>
      <p>An imported event gets the project whose name appears in its title or categories; otherwise its calendar's default project.</p>
      <form class="card inline-form" onSubmit={onCreate}>
        <TextField label="New project" type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled={created.fetching}>
          Create the project
        </button>
        <ErrorMessage>{errorSentence(created.error)}</ErrorMessage>
      </form>
      <ErrorMessage>{errorSentence(projects.error)}</ErrorMessage>
      {projects.data && list.length === 0 && <p>No projects yet.</p>}
      <ul class="plain-list">
        {list.map((project) => (
          <ProjectRow key={project.id} project={project} onChanged={reload} />
        ))}
      </ul>
    </>
  );
}

function ProjectRow({ project, onChanged }: { project: { id: string; name: string; archived: boolean }; onChanged: () => void }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(project.name);
  const [result, update] = useMutation(UpdateProjectMutation);
  const change = async (input: { name?: string; archived?: boolean }) => {
    const answer = await update({ input: { id: project.id, ...input } });
    if (answer.error) return;
    setRenaming(false);
    onChanged();
  };
  return (
    <li class="card row">
      {renaming ? (
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void change({ name: name.trim() });
          }}
        >
          <TextField label={`New name for ${project.name}`} type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit">Save the name</button>
          <button type="button" class="secondary" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <span class="row-title">
            {project.name}
            {project.archived && <span class="badge"> (archived)</span>}
          </span>
          <button type="button" class="secondary small" onClick={() => setRenaming(true)} aria-label={`Rename ${project.name}`}>
            Rename
          </button>
          <button type="button" class="secondary small" onClick={() => void change({ archived: !project.archived })} aria-label={`${project.archived ? "Unarchive" : "Archive"} ${project.name}`}>
            {project.archived ? "Unarchive" : "Archive"}
          </button>
        </>
      )}
      <ErrorMessage>{errorSentence(result.error)}</ErrorMessage>
    </li>
  );
}
