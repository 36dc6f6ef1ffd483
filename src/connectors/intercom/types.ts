// The Intercom API shapes the connector answers (API 2.14). The SDK's own types mark nullable
// fields optional and its responses are cast, not validated; these say what the API sends.

export interface IntercomContact {
  readonly type: 'contact';
  readonly id: string;
  readonly workspace_id: string;
  readonly external_id: string | null;
  readonly role: 'user' | 'lead';
  readonly email: string | null;
  readonly email_domain?: string | null;
  readonly phone: string | null;
  readonly name: string | null;
  readonly avatar?: unknown;
  readonly owner_id: number | null;
  readonly has_hard_bounced?: boolean;
  readonly marked_email_as_spam?: boolean;
  readonly unsubscribed_from_emails: boolean;
  /** UNIX seconds. */
  readonly created_at: number;
  /** UNIX seconds; moves on every change. */
  readonly updated_at: number;
  readonly signed_up_at: number | null;
  readonly last_seen_at: number | null;
  readonly custom_attributes: Readonly<Record<string, unknown>>;
  readonly location?: Readonly<Record<string, unknown>>;
  readonly companies?: {
    readonly data: readonly { readonly type: 'company'; readonly id: string }[];
    readonly has_more?: boolean;
  };
  readonly tags?: { readonly data: readonly { readonly id: string }[] };
  readonly [key: string]: unknown;
}

/** What create and update accept; `null` clears a value. */
export interface ContactInput {
  readonly role?: 'user' | 'lead';
  readonly external_id?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly name?: string | null;
  readonly avatar?: string | null;
  readonly signed_up_at?: number | null;
  readonly last_seen_at?: number | null;
  readonly owner_id?: number | null;
  readonly unsubscribed_from_emails?: boolean;
  readonly custom_attributes?: Readonly<Record<string, string | number | boolean | null>>;
}

export const dataAttributeTypes = [
  'string',
  'integer',
  'float',
  'boolean',
  'date',
  'datetime',
  'options',
] as const;
export type DataAttributeType = (typeof dataAttributeTypes)[number];

export interface IntercomDataAttribute {
  readonly type: 'data_attribute';
  readonly id?: number;
  readonly model: 'contact' | 'company';
  readonly name: string;
  readonly full_name: string;
  readonly label: string;
  readonly description?: string;
  readonly data_type: DataAttributeType;
  readonly options?: readonly string[];
  readonly api_writable: boolean;
  readonly messenger_writable?: boolean;
  readonly ui_writable?: boolean;
  readonly custom: boolean;
  readonly archived?: boolean;
  readonly [key: string]: unknown;
}

export interface DataAttributeInput {
  readonly name: string;
  readonly model: 'contact' | 'company';
  readonly data_type: DataAttributeType;
  readonly description?: string;
  /** For `options`: at least two values. */
  readonly options?: readonly string[];
  readonly messenger_writable?: boolean;
}

/** A workspace tag. A contact lists its tags by id only; their names come from here. */
export interface IntercomTag {
  readonly type: 'tag';
  readonly id: string;
  readonly name: string;
}

export interface IntercomAdmin {
  readonly type: 'admin';
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly away_mode_enabled?: boolean;
  readonly has_inbox_seat?: boolean;
  readonly team_ids?: readonly number[];
  readonly [key: string]: unknown;
}

export interface IntercomCompany {
  readonly type: 'company';
  /** Intercom's id. */
  readonly id: string;
  /** Yours (the key of create-or-update). */
  readonly company_id: string;
  readonly name: string;
  readonly website?: string | null;
  readonly industry?: string | null;
  readonly size?: number | null;
  readonly custom_attributes?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** `GET /me`: the admin behind the token and its workspace. */
export interface IntercomMe {
  readonly type: 'admin';
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly app?: { readonly id_code: string; readonly name: string; readonly region?: string };
  readonly [key: string]: unknown;
}
