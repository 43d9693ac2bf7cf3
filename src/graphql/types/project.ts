import { Field, InputType, ObjectType, registerEnumType } from "type-graphql";
import { DateTime, UUID } from "../scalars.js";

@ObjectType("Project", { simpleResolvers: true })
export class ProjectType {
  @Field(() => UUID)
  id!: string;

  @Field(() => String, { description: "Unique per user, ignoring case. Calendar events whose title contains it are matched to it." })
  name!: string;

  @Field(() => Boolean)
  archived!: boolean;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  updatedAt!: Date;
}

@InputType()
export class CreateProjectInput {
  @Field(() => String)
  name!: string;
}

@InputType()
export class UpdateProjectInput {
  @Field(() => UUID)
  id!: string;

  @Field(() => String, { nullable: true, description: "New name." })
  name?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Archived projects are hidden by default and take no new entries." })
  archived?: boolean | null;
}

export enum ProjectUsesOnDeleteEnum {
  MOVE_TO = "MOVE_TO",
  CLEAR = "CLEAR",
}
registerEnumType(ProjectUsesOnDeleteEnum, {
  name: "ProjectUsesOnDelete",
  description:
    "What deleteProject does with the project's time entries and the integrations and calendars that have it as default project. MOVE_TO: they take moveToProjectId instead. CLEAR: they are left without a project.",
});
