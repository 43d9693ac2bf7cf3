import { Field, InputType, ObjectType } from "type-graphql";
import { DateTime, EmailAddress, TimeZone, UUID } from "../scalars.js";

@ObjectType("User", { simpleResolvers: true, description: "A person with an account: the caller (me), or any user for admins." })
export class UserType {
  @Field(() => UUID)
  id!: string;

  @Field(() => EmailAddress)
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => TimeZone, { description: "IANA time zone, used for display and floating calendar times; new integrations start with it." })
  timezone!: string;

  @Field(() => Boolean, { description: "Admins manage users and everyone's API tokens." })
  isAdmin!: boolean;

  @Field(() => DateTime, { nullable: true, description: "Set when an admin disabled the user: their tokens and sessions no longer work." })
  disabledAt!: Date | null;

  @Field(() => DateTime)
  createdAt!: Date;
}

@InputType({ description: "Omitted or null fields keep their value." })
export class UpdateMeInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => EmailAddress, { nullable: true, description: "The address to sign in with." })
  email?: string | null;

  @Field(() => TimeZone, { nullable: true })
  timezone?: string | null;

  @Field(() => Boolean, {
    defaultValue: false,
    description: "With a new time zone: also move the integrations still on the old one (they followed it). Without, they are listed in integrationIdsOnPreviousTimezone.",
  })
  moveIntegrations!: boolean;
}

@ObjectType({ simpleResolvers: true })
export class UpdateMePayload {
  @Field(() => UserType)
  user!: UserType;

  @Field(() => [UUID], { description: "The integrations moved to the new time zone (moveIntegrations: true)." })
  movedIntegrationIds!: string[];

  @Field(() => [UUID], {
    description: "The integrations still on the previous time zone: offer to move them (configureCalDAVIntegration with the new timezone).",
  })
  integrationIdsOnPreviousTimezone!: string[];
}

@InputType()
export class CreateUserInput {
  @Field(() => EmailAddress)
  email!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => TimeZone, { nullable: true, description: "Default: the admin's own time zone." })
  timezone?: string | null;

  @Field(() => String, { description: "An initial password (at least 8 characters) the person changes after signing in." })
  password!: string;
}
