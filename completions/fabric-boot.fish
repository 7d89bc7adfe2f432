function __fabric-boot_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-boot_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __fabric-boot_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-boot_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __fabric-boot_parse_tokens -S
    set -l unparsed_tokens (__fabric-boot_tokens -pc)
    switch $unparsed_tokens[1]
    case 'fabric-boot'
        __fabric-boot_parse_subcommand 0 'p/provider=' 'store=' 'store-password-file=' 'n/null-input' 'number=' 'availability-zone=' 'spread=' 'max-per-host=' 'availability-zones=' 'key-name=' 'security-groups=+' 'private-network=' 'public-network=' 'userdata=' 'swap=' 'block-device=+' 'scheduler-hints=+' 'private-nics=+' 'public-nics=+' 'meta=+' 'files=+' 'config-drive' 'group=' 'batch=' 'name=' 'dry-run' 'events=' 'check' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __fabric-boot_parse_subcommand -r 1 'version'
        end
    end
end

function __fabric-boot_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __fabric-boot_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __fabric-boot_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __fabric-boot_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__fabric-boot_tokens -p)
    if test -z "$(__fabric-boot_tokens -t)"
        set -l index (count (__fabric-boot_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'fabric-boot' -f
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" n null-input' -s 'n' -l 'null-input' -d 'Do not read standard input; start from one empty record. Implied when standard input is a terminal.'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" number' -l 'number' -d 'How many machines to boot for each record (spec: number_machines).' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" availability-zone' -l 'availability-zone' -d 'The availability zone to boot in.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" spread' -l 'spread' -d 'Spread the group\'s members: host (each on a host no other member is on; the create fails when the cloud cannot), soft (on different hosts as far as the cloud can), zone (round-robin over --availability-zones) or none.' -rfka 'none host soft zone'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" max-per-host' -l 'max-per-host' -d 'With --spread host: how many members of the group one host may hold (default 1).' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" availability-zones' -l 'availability-zones' -d 'With --spread zone: the zones to place members in, comma-separated.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" key-name' -l 'key-name' -d 'A key pair stored in the cloud, for SSH access.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot"' -l 'security-groups' -d 'Security groups, comma-separated ("default, mysql"); may be repeated.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" private-network' -l 'private-network' -d 'The private network to place the machines in (DHCP). Excludes --private-nics.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" public-network' -l 'public-network' -d 'The public network to take a floating address from (see fabric-public-address). Excludes --public-nics.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" userdata' -l 'userdata' -d 'A cloud-init user-data file run at first boot.' -rF
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" swap' -l 'swap' -d 'Size in MB of a swap device to attach.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot"' -l 'block-device' -d 'A block device mapping, dev=id:type:size:delete-on-terminate (e.g. vdb=VOLUME-ID:volume:10:true).' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot"' -l 'scheduler-hints' -d 'A hint for the scheduler, as key=value; may be repeated.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot"' -l 'private-nics' -d 'A private NIC, net-id=ID[,v4-fixed-ip=IP] or port-id=ID; may be repeated.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot"' -l 'public-nics' -d 'A public NIC, net-id=ID or port-id=ID; may be repeated.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot"' -l 'meta' -d 'Metadata to record on each machine, as key=value; may be repeated.' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot"' -l 'files' -l 'file' -d 'A file to inject, as dst-path=src-path; may be repeated.' -rF
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" config-drive' -l 'config-drive' -d 'Attach a config drive, so cloud-init finds its data without a metadata service.'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" group' -l 'group' -d 'The group id to tag the machines with (default: a new UUID).' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" batch' -l 'batch' -d 'This call\'s own id, tagged on its machines beside the group, by which a failed create\'s clean-up finds them and no other machine of the group (default: the group when --group is not given, else a new UUID).' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" name' -l 'name' -d 'Name machines <prefix>-1, <prefix>-2, ... (default: fabric-<group>).' -rfka ''
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" dry-run' -l 'dry-run' -d 'Print what would be asked of the cloud, and boot nothing.'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" events' -l 'events' -d 'Append a JSON line to this file (- for standard error) for each machine created.' -rF
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" check' -l 'check' -d 'Check the options (and the files they name) and exit: read no input, contact no cloud; with -p, the provider\'s limits too (its record in the store).'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_positional "fabric-boot" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'fabric-boot' -n '__fabric-boot_should_offer_completions_for_flags_or_options "fabric-boot help" version' -l 'version' -d 'Show the version.'

# --- fabric additions: written by completions/regenerate, not by the tool ---

function __fabric_prev_is -d 'true if the previous token is one of the arguments'
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $argv
end

function __fabric_json_field -a field -d 'the string field of each JSON line on stdin'
    while read -l line
        set -l match (string match -r -- '"'$field'":"((?:[^"\\\\]|\\\\.)*)"' $line)
        set -q match[2]; or continue
        string replace -ra -- '\\\\(.)' '$1' $match[2]
    end
end

function __fabric_tool_providers -d 'registered provider ids, from a store that exists'
    set -l tokens (commandline -opc)
    set -l store
    set -l i (contains -i -- --store $tokens)
    and set -l next (math $i + 1)
    and set -q tokens[$next]
    and set store --store $tokens[$next]
    set -l store_path (fabric-store path $store 2>/dev/null)
    test -f "$store_path"; or return
    fabric-store list providers $store 2>/dev/null | __fabric_json_field provider_id
end
complete -c 'fabric-boot' -n '__fabric_prev_is -p --provider' -s p -l provider -x -a '(__fabric_tool_providers)' -d 'provider id'
complete -c 'fabric-boot' -n '__fabric_prev_is --store' -l store -r -F
complete -c 'fabric-boot' -n '__fabric_prev_is --store-password-file' -l store-password-file -r -F
complete -c 'fabric-boot' -n '__fabric_prev_is --userdata' -l userdata -r -F
complete -c 'fabric-boot' -n '__fabric_prev_is --files' -l files -r -F
complete -c 'fabric-boot' -n '__fabric_prev_is --file' -l file -r -F
