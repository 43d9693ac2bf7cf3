import { Field, ObjectType } from "type-graphql";
import { DateTime, EmailAddress, TimeZone, UUID } from "../scalars.js";

@ObjectType("User", { simpleResolvers: true, description: "The caller: every query and mutation acts as this user." })
export class UserType {
  @Field(() => UUID)
  id!: string;

  @Field(() => EmailAddress)
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => TimeZone, { description: "IANA time zone, used for display and floating calendar times." })
  timezone!: string;

  @Field(() => DateTime)
  createdAt!: Date;
}
